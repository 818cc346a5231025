package io.sluice.inference;

/**
 * The one unchecked error of the inference module. Its message always names the model and, where
 * it matters, the inputs that were being processed, so a log line alone says what went wrong.
 */
public class InferenceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
