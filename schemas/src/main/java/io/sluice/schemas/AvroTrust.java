package io.sluice.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro (1.11.4 and later) refuses to instantiate record classes it was not told to trust, and it
 * looks them up as soon as a builder fills in a default. Call {@link #install()} once, early, in
 * any process that uses Sluice's records; the command line does. Setting the system property
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES=io.sluice.schemas} before Avro loads works too
 * (the test runners do that).
 */
public final class AvroTrust {

  private static volatile boolean installed;

  private AvroTrust() {}

  /** Trusts the records generated into {@code io.sluice.schemas}, on top of what is trusted. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    String ours = AvroTrust.class.getPackageName();
    ClassSecurityValidator.ClassSecurityPredicate trusted =
        type -> type.getPackageName().equals(ours);
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), trusted));
    installed = true;
  }
}
