package io.sluice.topology.spec;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A model behind an OpenAI-compatible API ({@code kind: openai}): OpenAI, Azure OpenAI, vLLM,
 * Ollama, llama.cpp's server or {@code sluice serve}. The cloud resolves forwarded records with
 * it through structured output.
 *
 * @param baseUrl the API root, ending in {@code /v1} (requests go to
 *     {@code <baseUrl>/chat/completions})
 * @param model the model id the server knows
 * @param apiKey the bearer token, from an environment variable; never logged
 * @param maxConcurrency requests in flight at once, across every stream thread
 * @param timeout how long one request may take before it counts as failed and is retried
 * @param requestsPerMinute the most requests started in any minute; 0 for no limit
 * @param tokensPerMinute the most tokens (prompt and completion) spent in any minute; 0 for none
 * @param dailyTokenBudget tokens the resolver may spend per UTC day; when spent, records go to
 *     review and health says DEGRADED; 0 for no budget
 * @param pricePer1kPromptTokens price of 1,000 prompt tokens, for the estimated-cost meter
 * @param pricePer1kCompletionTokens price of 1,000 completion tokens
 * @param maxRetries retries of a request that failed for a transient reason (429, 5xx, timeout,
 *     connection) before the record goes to review
 * @param promptExamples examples per label written into the prompt
 * @param logprobs ask for token log-probabilities and derive each verdict's confidence from
 *     them; a server that refuses them is asked without
 * @param assumedConfidence the confidence of a verdict that comes without log-probabilities
 */
public record OpenAiModel(URI baseUrl, String model, Optional<String> apiKey, int maxConcurrency,
    Duration timeout, int requestsPerMinute, int tokensPerMinute, long dailyTokenBudget,
    double pricePer1kPromptTokens, double pricePer1kCompletionTokens, int maxRetries,
    int promptExamples, boolean logprobs, double assumedConfidence) {

  /** This endpoint with another concurrency limit. */
  public OpenAiModel withMaxConcurrency(int n) {
    return new OpenAiModel(baseUrl, model, apiKey, n, timeout, requestsPerMinute,
        tokensPerMinute, dailyTokenBudget, pricePer1kPromptTokens, pricePer1kCompletionTokens,
        maxRetries, promptExamples, logprobs, assumedConfidence);
  }

  /** This endpoint with another timeout and retry count. */
  public OpenAiModel withRetries(Duration newTimeout, int retries) {
    return new OpenAiModel(baseUrl, model, apiKey, maxConcurrency, newTimeout, requestsPerMinute,
        tokensPerMinute, dailyTokenBudget, pricePer1kPromptTokens, pricePer1kCompletionTokens,
        retries, promptExamples, logprobs, assumedConfidence);
  }

  /** This endpoint with a daily token budget. */
  public OpenAiModel withDailyTokenBudget(long tokens) {
    return new OpenAiModel(baseUrl, model, apiKey, maxConcurrency, timeout, requestsPerMinute,
        tokensPerMinute, tokens, pricePer1kPromptTokens, pricePer1kCompletionTokens, maxRetries,
        promptExamples, logprobs, assumedConfidence);
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "OpenAiModel[" + baseUrl + ", model=" + model + ", apiKey="
        + (apiKey.isPresent() ? "(set)" : "(none)") + ", maxConcurrency=" + maxConcurrency
        + ", timeout=" + timeout + ", maxRetries=" + maxRetries + "]";
  }
}
