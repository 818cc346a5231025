package io.sluice.inference.generate;

/**
 * Receives tokens as they are generated, on the engine's thread (keep it quick). {@code textDelta}
 * is the new complete text: a token that ends inside a UTF-8 character adds nothing until the
 * character is finished.
 */
@FunctionalInterface
public interface TokenListener {

  TokenListener NONE = (requestId, tokenId, textDelta) -> { };

  void onToken(String requestId, int tokenId, String textDelta);
}
