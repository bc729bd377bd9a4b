package io.bulwark.gateway.internal;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A header block as a flat list of name/value pairs in the order they were added: the head of a
 * request to an upstream on the gateway's own HTTP/1.1 connections ({@link Http1Exchange}, written
 * out by {@link Http1Connection.Encoder} straight from the list), and the head of the upstream's
 * answer as its decoder fills it. One object and one array per head, where a hash map costs an
 * entry object per header and a bucket table; a head has a few dozen headers at most, so a lookup
 * is a short scan (names compared ignoring ASCII case, length first).
 *
 * <p>It is both the Vert.x {@link MultiMap} the data path fills and the Netty {@link HttpHeaders}
 * the codec reads and writes, so neither side copies it. It checks nothing itself: the request
 * encoder refuses CR, LF and NUL as it writes each header, and an answer's headers are checked as
 * they are put on the client's response. Not thread-safe: used on one event loop.
 */
final class HeaderList extends HttpHeaders implements MultiMap {
  private static final CharSequence[] NONE = new CharSequence[0];

  private CharSequence[] pairs = NONE; // name at 2i, value at 2i + 1
  private int count;
  private final int firstCapacity; // headers the first array holds

  private final boolean decoded; // filled by a decoder: an empty name fails the decoding

  /** A list whose first array holds {@code expected} headers (it grows past them). */
  HeaderList(int expected) {
    this(expected, false);
  }

  HeaderList() {
    this(16);
  }

  private HeaderList(int expected, boolean decoded) {
    this.firstCapacity = Math.max(4, expected);
    this.decoded = decoded;
  }

  /**
   * A list for a decoder to fill with a received head: a line without a name (": x") fails the
   * decoding, as Netty's own map does, instead of reaching a later writer.
   */
  static HeaderList decoded(int expected) {
    return new HeaderList(expected, true);
  }

  /** The number of headers (a name with two values counts twice). */
  @Override
  public int size() {
    return count;
  }

  /** The name of the {@code i}-th header (0-based, in order), as it was added. */
  CharSequence nameAt(int i) {
    return pairs[2 * i];
  }

  /** The value of the {@code i}-th header. */
  CharSequence valueAt(int i) {
    return pairs[2 * i + 1];
  }

  private static boolean sameName(CharSequence a, CharSequence b) {
    return a == b || (a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b));
  }

  private int indexOf(CharSequence name, int from) {
    for (int i = from; i < count; i++) {
      if (sameName(pairs[2 * i], name)) {
        return i;
      }
    }
    return -1;
  }

  private static CharSequence text(Object value) {
    return value instanceof CharSequence s ? s : value.toString();
  }

  private void append(CharSequence name, CharSequence value) {
    if (decoded && name.isEmpty()) {
      throw new IllegalArgumentException("a received header without a name");
    }
    java.util.Objects.requireNonNull(value, "value"); // names are checked where they are written
    if (2 * count == pairs.length) {
      pairs = Arrays.copyOf(pairs, Math.max(2 * firstCapacity, pairs.length * 2));
    }
    pairs[2 * count] = name;
    pairs[2 * count + 1] = value;
    count++;
  }

  private void removeAll(CharSequence name) {
    int kept = 0;
    for (int i = 0; i < count; i++) {
      if (!sameName(pairs[2 * i], name)) {
        pairs[2 * kept] = pairs[2 * i];
        pairs[2 * kept + 1] = pairs[2 * i + 1];
        kept++;
      }
    }
    Arrays.fill(pairs, 2 * kept, 2 * count, null);
    count = kept;
  }

  // --- lookups (both interfaces)

  @Override
  public @Nullable String get(CharSequence name) {
    int i = indexOf(name, 0);
    return i < 0 ? null : pairs[2 * i + 1].toString();
  }

  @Override
  public @Nullable String get(String name) {
    return get((CharSequence) name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    List<String> values = null;
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      if (values == null) {
        values = new ArrayList<>(2);
      }
      values.add(pairs[2 * i + 1].toString());
    }
    return values == null ? List.of() : values;
  }

  @Override
  public List<String> getAll(String name) {
    return getAll((CharSequence) name);
  }

  @Override
  public boolean contains(CharSequence name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(String name) {
    return contains((CharSequence) name);
  }

  @Override
  public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      CharSequence v = pairs[2 * i + 1];
      if (ignoreCase
          ? AsciiString.contentEqualsIgnoreCase(v, value)
          : AsciiString.contentEquals(v, value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a value of {@code name}, split at commas and trimmed, equals {@code value} (how the
   * codec asks for {@code Connection: close} or {@code Transfer-Encoding: chunked}), without a list
   * or string per call.
   */
  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      CharSequence v = pairs[2 * i + 1];
      int start = 0;
      while (start <= v.length()) {
        int end = start;
        while (end < v.length() && v.charAt(end) != ',') {
          end++;
        }
        int from = start;
        int to = end;
        while (from < to && v.charAt(from) <= ' ') {
          from++;
        }
        while (to > from && v.charAt(to - 1) <= ' ') {
          to--;
        }
        if (to - from == value.length()
            && AsciiString.regionMatches(v, ignoreCase, from, value, 0, to - from)) {
          return true;
        }
        start = end + 1;
      }
    }
    return false;
  }

  @Override
  public boolean contains(String name, String value, boolean ignoreCase) {
    return contains((CharSequence) name, value, ignoreCase);
  }

  @Override
  public boolean isEmpty() {
    return count == 0;
  }

  @Override
  public Set<String> names() {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < count; i++) {
      names.add(pairs[2 * i].toString());
    }
    return names;
  }

  @Override
  @SuppressWarnings("deprecation") // Netty's, not Vert.x's: the list is both
  public List<Map.Entry<String, String>> entries() {
    List<Map.Entry<String, String>> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      all.add(
          new AbstractMap.SimpleImmutableEntry<>(
              pairs[2 * i].toString(), pairs[2 * i + 1].toString()));
    }
    return all;
  }

  @Override
  @SuppressWarnings("deprecation") // Netty's, not Vert.x's: the list is both
  public Iterator<Map.Entry<String, String>> iterator() {
    return entries().iterator();
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public Map.Entry<CharSequence, CharSequence> next() {
        if (next >= count) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return new AbstractMap.SimpleImmutableEntry<>(pairs[2 * i], pairs[2 * i + 1]);
      }
    };
  }

  // --- changes: every add and set returns this list, for both interfaces

  @Override
  public HeaderList add(CharSequence name, CharSequence value) {
    append(name, value);
    return this;
  }

  @Override
  public HeaderList add(String name, String value) {
    append(name, value);
    return this;
  }

  @Override
  public HeaderList add(CharSequence name, Object value) {
    append(name, text(value));
    return this;
  }

  @Override
  public HeaderList add(String name, Object value) {
    append(name, text(value));
    return this;
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public HeaderList add(String name, Iterable values) {
    return add((CharSequence) name, values);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public HeaderList add(CharSequence name, Iterable values) {
    for (Object v : values) {
      append(name, text(v));
    }
    return this;
  }

  @Override
  public HeaderList addAll(MultiMap headers) {
    for (Map.Entry<String, String> e : headers) {
      append(e.getKey(), e.getValue());
    }
    return this;
  }

  @Override
  public HeaderList addAll(Map<String, String> headers) {
    headers.forEach(this::append);
    return this;
  }

  @Override
  public HeaderList addInt(CharSequence name, int value) {
    append(name, Integer.toString(value));
    return this;
  }

  @Override
  public HeaderList addShort(CharSequence name, short value) {
    append(name, Short.toString(value));
    return this;
  }

  @Override
  public HeaderList set(CharSequence name, CharSequence value) {
    removeAll(name);
    append(name, value);
    return this;
  }

  @Override
  public HeaderList set(String name, String value) {
    return set((CharSequence) name, value);
  }

  @Override
  public HeaderList set(CharSequence name, Object value) {
    return set(name, text(value));
  }

  @Override
  public HeaderList set(String name, Object value) {
    return set((CharSequence) name, text(value));
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public HeaderList set(String name, Iterable values) {
    return set((CharSequence) name, values);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public HeaderList set(CharSequence name, Iterable values) {
    removeAll(name);
    return add(name, values);
  }

  @Override
  public HeaderList setAll(MultiMap headers) {
    for (String name : headers.names()) {
      removeAll(name);
    }
    return addAll(headers);
  }

  @Override
  public HeaderList setAll(Map<String, String> headers) {
    headers.forEach(this::set);
    return this;
  }

  @Override
  public HeaderList setInt(CharSequence name, int value) {
    return set(name, Integer.toString(value));
  }

  @Override
  public HeaderList setShort(CharSequence name, short value) {
    return set(name, Short.toString(value));
  }

  @Override
  public HeaderList remove(CharSequence name) {
    removeAll(name);
    return this;
  }

  @Override
  public HeaderList remove(String name) {
    removeAll(name);
    return this;
  }

  @Override
  public HeaderList clear() {
    Arrays.fill(pairs, 0, 2 * count, null);
    count = 0;
    return this;
  }

  @Override
  public boolean isMutable() {
    return true;
  }

  @Override
  public HeaderList copy(boolean mutable) {
    return copy();
  }

  @Override
  public HeaderList copy() {
    HeaderList c = new HeaderList(firstCapacity, decoded);
    c.pairs = Arrays.copyOf(pairs, pairs.length);
    c.count = count;
    return c;
  }

  // --- typed values, which the codec does not read from a head

  @Override
  public @Nullable Integer getInt(CharSequence name) {
    String v = get(name);
    try {
      return v == null ? null : Integer.valueOf(v.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    Integer v = getInt(name);
    return v == null ? defaultValue : v;
  }

  @Override
  public @Nullable Short getShort(CharSequence name) {
    String v = get(name);
    try {
      return v == null ? null : Short.valueOf(v.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    Short v = getShort(name);
    return v == null ? defaultValue : v;
  }

  @Override
  public @Nullable Long getTimeMillis(CharSequence name) {
    throw new UnsupportedOperationException("a head's dates are not read by the data path");
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    throw new UnsupportedOperationException("a head's dates are not read by the data path");
  }
}
