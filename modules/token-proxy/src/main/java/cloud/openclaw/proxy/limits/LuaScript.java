package cloud.openclaw.proxy.limits;

import cloud.openclaw.platform.redis.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** A Lua script from the classpath, run by its SHA and loaded again if Redis forgot it. */
final class LuaScript {
  private final Redis redis;
  private final String source;
  private volatile String sha;

  LuaScript(Redis redis, String resource) {
    this.redis = redis;
    try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script " + resource);
      }
      this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Object run(List<String> keys, List<String> args) {
    if (sha == null) {
      sha = redis.client().scriptLoad(source);
    }
    try {
      return redis.client().evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      sha = redis.client().scriptLoad(source);
      return redis.client().evalsha(sha, keys, args);
    }
  }
}
