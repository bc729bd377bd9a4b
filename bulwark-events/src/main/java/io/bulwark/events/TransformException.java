package io.bulwark.events;

import io.bulwark.core.error.BulwarkException;
import io.bulwark.core.error.ErrorClassifier;

/**
 * The transform of an {@link ExactlyOnceProcessor} failed on a record. Its transaction was aborted
 * and the consumer rewound, so processing again starts with the same records. Retriable if its
 * cause is ({@link ErrorClassifier#defaults()}): a transform that fails the same way on every try
 * (a bug, a record it cannot handle) needs a fix or a seek past the record, not a retry.
 */
public final class TransformException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final int partition;
  private final long offset;

  public TransformException(EventRecord record, Throwable cause) {
    super(
        "transform failed on record "
            + record.topicPartition()
            + "@"
            + record.offset()
            + " (transaction aborted, consumer rewound to the committed offsets): "
            + cause,
        cause);
    this.topic = record.topic();
    this.partition = record.partition();
    this.offset = record.offset();
  }

  /** The topic and partition of the record the transform failed on. */
  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }

  /** The offset of the record the transform failed on. */
  public long offset() {
    return offset;
  }

  @Override
  public boolean isRetriable() {
    Throwable cause = getCause();
    return cause != null && ErrorClassifier.defaults().isRetriable(cause);
  }
}
