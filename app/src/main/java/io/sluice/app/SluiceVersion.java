package io.sluice.app;

import picocli.CommandLine;

/** Reports the version from the jar manifest, or "development" when run from classes. */
public final class SluiceVersion implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = Sluice.class.getPackage().getImplementationVersion();
    return new String[] {"sluice " + (version == null ? "development" : version)};
  }
}
