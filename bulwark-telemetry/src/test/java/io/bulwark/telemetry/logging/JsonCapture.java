package io.bulwark.telemetry.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test appender: keeps each encoded line (Logback's JsonEncoder output) in memory. */
public class JsonCapture extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final List<String> LINES = new CopyOnWriteArrayList<>();
  private @org.jspecify.annotations.Nullable Encoder<ILoggingEvent> encoder;

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  @Override
  protected void append(ILoggingEvent event) {
    LINES.add(
        new String(java.util.Objects.requireNonNull(encoder).encode(event), StandardCharsets.UTF_8)
            .strip());
  }
}
