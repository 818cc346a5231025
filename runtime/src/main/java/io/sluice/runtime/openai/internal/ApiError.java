package io.sluice.runtime.openai.internal;

/**
 * A request the API refuses, in OpenAI's error shape:
 * {@code {"error": {"message", "type", "param", "code"}}} with the HTTP status.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final String type;
  private final String param;
  private final String code;

  public ApiError(int status, String type, String message, String param, String code) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400: the request is malformed or asks for something this server cannot do. */
  public static ApiError invalid(String message, String param) {
    return new ApiError(400, "invalid_request_error", message, param, null);
  }

  public static ApiError invalid(String message, String param, String code) {
    return new ApiError(400, "invalid_request_error", message, param, code);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }
}
