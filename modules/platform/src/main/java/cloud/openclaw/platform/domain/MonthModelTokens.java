package cloud.openclaw.platform.domain;

import java.time.YearMonth;

/** The tokens a customer used of one model in one UTC calendar month. */
public record MonthModelTokens(YearMonth month, String model, long tokens) {}
