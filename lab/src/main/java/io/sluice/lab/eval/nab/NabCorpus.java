package io.sluice.lab.eval.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Loads NAB data: every {@code timestamp,value} CSV under a folder, and the labelled windows of
 * {@code combined_windows.json} (keys are paths relative to the data folder, values lists of
 * {@code [start, end]} timestamps, both inclusive). Timestamps are read as UTC. Errors name the
 * file, the line and what was expected.
 */
public final class NabCorpus {

  private NabCorpus() {}

  public static List<NabSeries> load(Path dataDir, Path windowsFile) {
    if (!Files.isDirectory(dataDir)) {
      throw new IllegalArgumentException("NAB data folder " + dataDir + " does not exist");
    }
    Map<String, List<long[]>> windows = readWindows(windowsFile);
    List<NabSeries> corpus = new ArrayList<>();
    for (Path csv : csvFiles(dataDir)) {
      String name = dataDir.relativize(csv).toString().replace('\\', '/');
      List<long[]> limits = windowsFor(name, windows, windowsFile);
      corpus.add(readSeries(csv, name, limits));
    }
    if (corpus.isEmpty()) {
      throw new IllegalArgumentException("No .csv file under " + dataDir);
    }
    return corpus;
  }

  private static List<Path> csvFiles(Path dataDir) {
    try (Stream<Path> files = Files.walk(dataDir)) {
      return files.filter(p -> p.toString().endsWith(".csv") && Files.isRegularFile(p))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + dataDir, e);
    }
  }

  private static List<long[]> windowsFor(
      String name, Map<String, List<long[]>> windows, Path windowsFile) {
    List<long[]> exact = windows.get(name);
    if (exact != null) {
      return exact;
    }
    // DIR may be a sub-folder of the corpus: match the key that ends with the relative path.
    List<long[]> match = null;
    for (Map.Entry<String, List<long[]>> entry : windows.entrySet()) {
      if (entry.getKey().endsWith("/" + name)) {
        if (match != null) {
          throw new IllegalArgumentException("Several keys of " + windowsFile + " end with " + name);
        }
        match = entry.getValue();
      }
    }
    if (match == null) {
      throw new IllegalArgumentException(windowsFile + " has no entry for " + name
          + " (expected a key such as \"realKnownCause/" + name + "\" with a list of windows)");
    }
    return match;
  }

  static Map<String, List<long[]>> readWindows(Path windowsFile) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(windowsFile.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read NAB windows file " + windowsFile + ": "
          + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(windowsFile
          + ": expected a JSON object mapping file names to lists of [start, end] timestamps");
    }
    Map<String, List<long[]>> windows = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      List<long[]> limits = new ArrayList<>();
      for (JsonNode pair : entry.getValue()) {
        if (!pair.isArray() || pair.size() != 2) {
          throw new IllegalArgumentException(windowsFile + ", \"" + entry.getKey()
              + "\": expected [start, end] pairs of timestamps, got " + pair);
        }
        String where = windowsFile + ", \"" + entry.getKey() + "\"";
        limits.add(new long[] {
            parseTime(pair.get(0).asText(), where), parseTime(pair.get(1).asText(), where)});
      }
      windows.put(entry.getKey(), limits);
    }
    return windows;
  }

  static NabSeries readSeries(Path csv, String name, List<long[]> limits) {
    List<Long> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(csv)) {
      String line = reader.readLine();
      if (line == null || !line.strip().equals("timestamp,value")) {
        throw new IllegalArgumentException(csv + ":1: expected the header 'timestamp,value', got '"
            + line + "'");
      }
      int lineNumber = 1;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        int comma = line.indexOf(',');
        if (comma < 0) {
          throw new IllegalArgumentException(csv + ":" + lineNumber
              + ": expected 'timestamp,value', got '" + line + "'");
        }
        times.add(parseTime(line.substring(0, comma), csv + ":" + lineNumber));
        try {
          values.add(Double.parseDouble(line.substring(comma + 1).strip()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(csv + ":" + lineNumber + ": value '"
              + line.substring(comma + 1) + "' is not a number");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + csv, e);
    }
    long[] timestamps = times.stream().mapToLong(Long::longValue).toArray();
    double[] readings = values.stream().mapToDouble(Double::doubleValue).toArray();
    List<NabSeries.Window> windows = new ArrayList<>();
    for (long[] limit : limits) {
      int first = firstAtOrAfter(timestamps, limit[0]);
      int last = firstAtOrAfter(timestamps, limit[1] + 1) - 1;
      if (first <= last) {
        windows.add(new NabSeries.Window(first, last));
      }
    }
    return new NabSeries(name, timestamps, readings, windows);
  }

  private static int firstAtOrAfter(long[] timestamps, long time) {
    for (int i = 0; i < timestamps.length; i++) {
      if (timestamps[i] >= time) {
        return i;
      }
    }
    return timestamps.length;
  }

  /** Parses NAB's {@code yyyy-MM-dd HH:mm:ss[.ffffff]} as UTC epoch milliseconds. */
  static long parseTime(String text, String where) {
    try {
      return LocalDateTime.parse(text.strip().replace(' ', 'T')).toInstant(ZoneOffset.UTC)
          .toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(where + ": timestamp '" + text
          + "' is not in the form yyyy-MM-dd HH:mm:ss");
    }
  }
}
