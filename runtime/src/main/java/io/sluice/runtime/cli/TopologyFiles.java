package io.sluice.runtime.cli;

import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Loads topology files from a path, or from the examples bundled in the jar. */
public final class TopologyFiles {

  private TopologyFiles() {}

  /** Loads {@code file}; when null, the bundled {@code edge-configs/<bundled>}. */
  public static TopologySpec load(Path file, String bundled) {
    TopologyLoader loader = new TopologyLoader();
    if (file != null) {
      return loader.load(file);
    }
    String resource = "/edge-configs/" + bundled;
    try (InputStream in = TopologyFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("The bundled topology " + resource + " is missing");
      }
      return loader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          "edge-configs/" + bundled);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
