package cloud.openclaw.testkit;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Redis for one test class: the shared server and a key prefix no other class uses. Code under test
 * puts every key and channel under its configured prefix, so {@link #wipe()} is, to that code, the
 * same as FLUSHALL, without touching other classes' keys.
 *
 * <pre>{@code @RegisterExtension static final TestRedis redis = new TestRedis();}</pre>
 */
public final class TestRedis implements BeforeAllCallback, AfterAllCallback {
  private String prefix;

  @Override
  public void beforeAll(ExtensionContext context) {
    prefix =
        "t:"
            + context.getRequiredTestClass().getSimpleName()
            + ":"
            + Long.toHexString(System.nanoTime())
            + ":";
  }

  @Override
  public void afterAll(ExtensionContext context) {
    wipe();
  }

  public String url() {
    return RedisServer.shared().url();
  }

  public String prefix() {
    if (prefix == null) {
      throw new IllegalStateException("TestRedis must be a static @RegisterExtension field");
    }
    return prefix;
  }

  /** Deletes every key under this class's prefix: Redis as if it had restarted empty. */
  public void wipe() {
    try (RedisClient client = RedisClient.create(URI.create(url()))) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams match = new ScanParams().match(prefix() + "*").count(1000);
      do {
        ScanResult<String> page = client.scan(cursor, match);
        List<String> keys = page.getResult();
        if (!keys.isEmpty()) {
          client.del(keys.toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
  }
}
