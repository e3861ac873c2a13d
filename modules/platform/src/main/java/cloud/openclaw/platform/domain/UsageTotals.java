package cloud.openclaw.platform.domain;

/** Summed usage over some span; requests exclude those the proxy rejected. */
public record UsageTotals(
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long reasoningTokens,
    long requests) {
  public static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0, 0);

  /** The tokens that count against the allowance (cached and reasoning are included already). */
  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  public UsageTotals plus(UsageTotals other) {
    return new UsageTotals(
        promptTokens + other.promptTokens,
        completionTokens + other.completionTokens,
        cachedTokens + other.cachedTokens,
        reasoningTokens + other.reasoningTokens,
        requests + other.requests);
  }
}
