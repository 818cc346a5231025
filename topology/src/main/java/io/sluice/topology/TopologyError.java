package io.sluice.topology;

/**
 * One mistake in a topology file.
 *
 * @param file the file, as the user named it
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param path where in the document, for example {@code pipelines[0].steps[2].classify.labels}
 * @param message what is wrong, naming the bad value and what was expected
 * @param hint what to do about it, or empty
 */
public record TopologyError(String file, int line, int column, String path, String message,
    String hint) {

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(file);
    if (line > 0) {
      s.append(':').append(line).append(':').append(column);
    }
    s.append(": ");
    if (!path.isEmpty()) {
      s.append(path).append(": ");
    }
    s.append(message);
    if (!hint.isEmpty()) {
      s.append(" (hint: ").append(hint).append(')');
    }
    return s.toString();
  }
}
