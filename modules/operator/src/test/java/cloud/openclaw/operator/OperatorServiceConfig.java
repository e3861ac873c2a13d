package cloud.openclaw.operator;

import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * What every test that starts the operator service ({@link Main#start}) sets: the test's database
 * and Redis prefix, a throwaway crypto key, short polls, a free port. Each test adds its runtimes.
 */
public final class OperatorServiceConfig {
  private OperatorServiceConfig() {}

  /** A mutable map, for the test to add its runtime's keys to. */
  public static Map<String, String> base(TestPostgres postgres, TestRedis redis) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", postgres.jdbcUrl());
    overrides.put("db.user", postgres.user());
    overrides.put("db.password", postgres.password());
    overrides.put("redis.url", redis.url());
    overrides.put("redis.prefix", redis.prefix());
    overrides.put("crypto.keys", "k:" + Base64.getEncoder().encodeToString(new byte[32]));
    overrides.put("crypto.active-key", "k");
    overrides.put("jobs.poll-timeout", "PT0.2S");
    overrides.put("operator.host", "127.0.0.1");
    overrides.put("operator.port", "0");
    return overrides;
  }
}
