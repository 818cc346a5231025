package io.sluice.inference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Opens the default encoder once per test class, with a registry the test can read. */
abstract class EncoderFixture {

  static SimpleMeterRegistry registry;
  static TextEncoder encoder;

  @BeforeAll
  static void openEncoder() {
    registry = new SimpleMeterRegistry();
    encoder = TextEncoder.open(ModelBundle.load(ModelBundle.DEFAULT), EncoderSettings.DEFAULT,
        registry);
  }

  @AfterAll
  static void closeEncoder() {
    encoder.close();
  }
}
