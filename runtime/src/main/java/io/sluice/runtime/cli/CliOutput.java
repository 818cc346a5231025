package io.sluice.runtime.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Output helpers shared by the commands: one-line JSON and the process's peak memory. */
public final class CliOutput {

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(SerializationFeature.INDENT_OUTPUT);

  private CliOutput() {}

  /** Prints {@code report} as exactly one line of JSON (the last stdout line of {@code --json}). */
  public static void printJsonLine(PrintWriter out, Map<String, Object> report) {
    try {
      out.println(JSON.writeValueAsString(report));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the report as JSON", e);
    }
  }

  /** The peak resident set size of this process in MB ({@code VmHWM}), or -1 off Linux. */
  public static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String kilobytes = line.substring(6).trim().split("\\s+")[0];
          return Math.round(Long.parseLong(kilobytes) / 102.4) / 10.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
