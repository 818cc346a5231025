package io.sluice.runtime.admin;

/**
 * A request the admin API cannot serve as asked; answered as a JSON error with this status,
 * naming the field and what was expected.
 */
public final class AdminRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String field;
  private final String expected;

  /**
   * @param status the HTTP status (4xx for the caller's mistakes, 503 when the gateway cannot
   *     serve yet)
   * @param field the request field at fault ({@code texts[2]}), or null
   * @param message what is wrong
   * @param expected what would be right, or null
   */
  public AdminRequestException(int status, String field, String message, String expected) {
    super(message);
    this.status = status;
    this.field = field;
    this.expected = expected;
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }

  public String expected() {
    return expected;
  }
}
