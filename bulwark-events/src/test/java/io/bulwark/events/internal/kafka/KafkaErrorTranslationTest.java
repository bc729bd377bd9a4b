package io.bulwark.events.internal.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.error.BulwarkException;
import io.bulwark.events.BufferFullException;
import io.bulwark.events.EventLogException;
import io.bulwark.events.EventLogTimeoutException;
import io.bulwark.events.ProducerFencedException;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** Kafka's producer exceptions become Bulwark's, each saying what happened and if a retry helps. */
class KafkaErrorTranslationTest {

  @Test
  void aDeliveryTimeoutIsAnUnconfirmedSendNotAFullBuffer() {
    RuntimeException e =
        KafkaProducerAdapter.translate(
            "send to orders",
            new TimeoutException("Expiring 3 record(s) for orders-0: 120001 ms has passed"));
    assertThat(e)
        .isInstanceOf(EventLogTimeoutException.class)
        .hasMessage(
            "send to orders: not confirmed in time: Expiring 3 record(s) for orders-0: 120001 ms"
                + " has passed")
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(((BulwarkException) e).isRetriable()).isTrue();
  }

  @Test
  void onlyAnExhaustedClientBufferIsAFullBuffer() {
    RuntimeException e =
        KafkaProducerAdapter.translate(
            "send to orders", new BufferExhaustedException("Failed to allocate 16384 bytes"));
    assertThat(e)
        .isInstanceOf(BufferFullException.class)
        .hasMessage(
            "send to orders: the Kafka client's buffer is full: Failed to allocate 16384 bytes");
  }

  @Test
  void fencingIsFatalAndOtherFailuresAreRetriable() {
    assertThat(KafkaProducerAdapter.translate("commit", new InvalidProducerEpochException("old")))
        .isInstanceOf(ProducerFencedException.class);
    RuntimeException other = KafkaProducerAdapter.translate("send", new NetworkException("reset"));
    assertThat(other).isInstanceOf(EventLogException.class);
    assertThat(((BulwarkException) other).isRetriable()).isTrue();
  }

  @Test
  void aCallFailingBecauseTheProducerWasFencedEarlierIsFencingToo() {
    RuntimeException e =
        KafkaProducerAdapter.translate(
            "commitTransaction",
            new org.apache.kafka.common.KafkaException(
                "Cannot execute transactional method because we are in an error state",
                new org.apache.kafka.common.errors.ProducerFencedException("epoch 3 < 4")));
    assertThat(e)
        .isInstanceOf(ProducerFencedException.class)
        .hasMessage("commitTransaction: fenced by a newer producer: epoch 3 < 4")
        .hasCauseInstanceOf(org.apache.kafka.common.KafkaException.class);
  }
}
