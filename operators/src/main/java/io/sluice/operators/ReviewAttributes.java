package io.sluice.operators;

/**
 * The attributes of an {@code InferenceResult} that tell people why a record waits for review:
 * written by the router and the resolve operator, read by the review queue.
 */
public final class ReviewAttributes {

  /** Why the record went to review; reasons from several operators are joined with "; ". */
  public static final String REASON = "review.reason";
  /** In the cloud: the gateway that forwarded the record. */
  public static final String GATEWAY = "review.gateway";

  private ReviewAttributes() {}
}
