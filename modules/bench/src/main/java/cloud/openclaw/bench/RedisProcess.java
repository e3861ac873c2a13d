package cloud.openclaw.bench;

import cloud.openclaw.testkit.RedisServer;
import java.net.URI;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/** The Redis server the benchmark uses, when it runs on this machine (its pid from INFO). */
record RedisProcess(long pid) implements CpuMeter {
  static Optional<RedisProcess> find() {
    URI uri = URI.create(RedisServer.shared().url());
    try (Jedis jedis = new Jedis(uri)) {
      for (String line : jedis.info("server").split("\r?\n")) {
        if (line.startsWith("process_id:")) {
          RedisProcess redis = new RedisProcess(Long.parseLong(line.substring(11).trim()));
          return redis.ticks().isPresent() ? Optional.of(redis) : Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Optional<Long> ticks() {
    return CpuMeter.ticksOf(pid);
  }
}
