package io.sluice.inference.extract;

/**
 * A token classifier's answer for one sub-token.
 *
 * @param token the sub-token as the tokenizer wrote it (for example {@code ##al})
 * @param id its id
 * @param word the index of its word, -1 for special tokens
 * @param label the most probable label
 * @param probability that label's probability
 */
public record TokenLabel(String token, long id, int word, String label, double probability) {}
