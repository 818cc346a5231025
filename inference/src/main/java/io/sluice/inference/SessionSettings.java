package io.sluice.inference;

/**
 * Thread settings of one ONNX Runtime session.
 *
 * @param intraOpThreads threads that split one operator's work (1 or more)
 * @param interOpThreads threads that run independent operators in parallel (1 or more)
 * @param spinning whether idle worker threads spin; off by default, because spinning threads burn
 *     a core while idle and compete with Kafka on a small gateway
 */
public record SessionSettings(int intraOpThreads, int interOpThreads, boolean spinning) {

  public SessionSettings {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be at least 1, got " + intraOpThreads);
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads must be at least 1, got " + interOpThreads);
    }
  }

  /** One session, {@code threads} intra-op threads, no spinning. */
  public static SessionSettings threads(int threads) {
    return new SessionSettings(threads, 1, false);
  }
}
