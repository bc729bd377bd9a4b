package io.bulwark.events;

/** Topic name rules shared by both backends (the Kafka rules). */
final class Topics {
  private Topics() {}

  static void validateName(String topic) {
    if (topic.isEmpty() || topic.length() > 249 || topic.equals(".") || topic.equals("..")) {
      throw new IllegalArgumentException(
          "topic name must be 1..249 characters and not '.' or '..', was '" + topic + "'");
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            "topic name may contain only [a-zA-Z0-9._-], was '" + topic + "'");
      }
    }
  }
}
