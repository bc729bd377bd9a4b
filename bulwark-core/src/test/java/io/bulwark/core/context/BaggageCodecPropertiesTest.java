package io.bulwark.core.context;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;

class BaggageCodecPropertiesTest {

  @Property(tries = 500)
  void anyValueRoundTripsThroughTheHeader(
      @ForAll @AlphaChars @StringLength(min = 1, max = 20) String key,
      @ForAll @StringLength(max = 60) String value) {
    Baggage baggage = Baggage.empty().with(key, value).with("fixed", "x");
    String header = BaggageCodec.encode(baggage);
    assertThat(header).doesNotContain(" ").doesNotContain("\"");
    assertThat(BaggageCodec.decode(header)).isEqualTo(baggage);
  }
}
