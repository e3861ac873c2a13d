package cloud.openclaw.platform.events;

import cloud.openclaw.platform.jobs.Backoff;
import cloud.openclaw.platform.redis.Redis;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Protocol;

/**
 * One subscription (a channel or a pattern) kept up on a connection of its own: when the connection
 * ends for whatever reason (Redis restarted or failed over, CLIENT KILL, a cut network) it
 * subscribes again on a new one, with backoff, and runs its owner's {@code subscribed} hook each
 * time it is subscribed. A connection that dies without a word (the host is gone) is found by a
 * heartbeat: the connection also listens on a channel of its own, on which a message is published
 * through the pool every {@link #HEARTBEAT}; when none arrives for {@link #SILENCE} the connection
 * is dropped. (Not PING: on a RESP3 connection Jedis may read PING's answer before it expects it,
 * and fails the subscription.)
 */
final class Subscriber implements Redis.Held {
  private static final Logger LOG = Logger.getLogger(Subscriber.class.getName());

  private static final Duration FIRST_WAIT = Duration.ofSeconds(5);
  // Quick first retries, capped low: cache invalidation is promised within a second of Redis
  // being back, so the subscription must be back well before that.
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(50), Duration.ofMillis(500));
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration SILENCE = Duration.ofSeconds(3);

  private final Redis redis;
  private final String name;
  private final String key;
  private final boolean pattern;
  private final BiConsumer<String, String> listener;
  private final Runnable subscribed;
  private final String clientName;
  private final String heartbeatChannel;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final CountDownLatch firstSubscribed = new CountDownLatch(1);
  private volatile boolean live;
  private volatile boolean closed;
  private volatile Session session;
  // Failed attempts since the subscription was last up; touched by the subscribing thread only.
  private int failures;
  private Thread thread;
  private Thread heartbeat;

  /**
   * A subscription to {@code key} (a pattern if {@code pattern}), named {@code name} in logs and
   * health; {@code listener} gets (channel, message).
   */
  Subscriber(
      Redis redis,
      String name,
      String key,
      boolean pattern,
      BiConsumer<String, String> listener,
      Runnable subscribed) {
    this.redis = redis;
    this.name = name;
    this.key = key;
    this.pattern = pattern;
    this.listener = listener;
    this.subscribed = subscribed;
    this.clientName = redis.key("subscriber", name);
    this.heartbeatChannel =
        redis.key("subscriber", name, "heartbeat", UUID.randomUUID().toString());
  }

  /**
   * Subscribes and keeps the subscription up until closed; waits up to {@link #FIRST_WAIT} for the
   * first time.
   */
  Subscriber start() {
    redis.hold(this);
    thread = Thread.ofVirtual().name("events-" + name).start(this::run);
    heartbeat = Thread.ofVirtual().name("events-heartbeat-" + name).start(this::beat);
    try {
      if (!firstSubscribed.await(FIRST_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("not subscribed to " + name + " yet; still trying");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean live() {
    return live;
  }

  String clientName() {
    return clientName;
  }

  private void run() {
    while (!closed) {
      Connection connection = null;
      RuntimeException failure = null;
      try {
        connection = redis.client().getPool().getResource();
        connection.executeCommand(
            new CommandArguments(Protocol.Command.CLIENT)
                .add(Protocol.Keyword.SETNAME)
                .add(clientName));
        Session current = new Session(connection);
        session = current;
        if (closed) {
          break;
        }
        if (pattern) {
          current.proceedWithPatterns(connection, key);
        } else {
          current.proceed(connection, key, heartbeatChannel);
        }
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        live = false;
        session = null;
        discard(connection);
      }
      if (closed) {
        break;
      }
      failures++;
      if (failures == 1) {
        LOG.log(Level.WARNING, "subscription to " + name + " lost; subscribing again", failure);
      } else {
        LOG.log(Level.FINE, "subscribing to " + name + " failed again", failure);
      }
      if (!pause(BACKOFF.after(failures))) {
        break;
      }
    }
  }

  // Named and once subscribed, a connection does not go back to the pool. Giving it up can fail
  // (the pool may try to open a replacement while Redis is down): it is gone either way.
  private static void discard(Connection connection) {
    if (connection == null) {
      return;
    }
    connection.setBroken();
    try {
      connection.close();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "a lost subscription's connection would not close", e);
    }
  }

  // Runs on the subscribing thread, before any message of this connection is delivered.
  private void subscribedNow() {
    try {
      subscribed.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the subscribed hook of " + name + " failed", e);
    }
    live = true;
    if (failures > 0) {
      LOG.info("subscribed to " + name + " again after " + failures + " failed attempts");
    }
    failures = 0;
    firstSubscribed.countDown();
  }

  private void deliver(String channel, String message) {
    try {
      listener.accept(channel, message);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "event listener failed on " + channel, e);
    }
  }

  private void beat() {
    while (pause(HEARTBEAT)) {
      Session current = session;
      if (current == null || !live) {
        continue;
      }
      if (System.nanoTime() - current.heardAt > SILENCE.toNanos()) {
        LOG.warning("nothing heard from Redis on " + name + " for " + SILENCE + "; reconnecting");
        current.cut();
      } else {
        try {
          redis.client().publish(heartbeatChannel, "");
        } catch (RuntimeException e) {
          // Redis is unreachable from the pool too; the silence decides.
        }
      }
    }
  }

  /** Waits, unless closing; false when closing. */
  private boolean pause(Duration duration) {
    try {
      return !closing.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void close() {
    closed = true;
    closing.countDown();
    Session current = session;
    if (current != null) {
      current.stop();
    }
    try {
      thread.join(2000);
      if (thread.isAlive() && current != null) {
        current.cut();
        thread.join(2000);
      }
      heartbeat.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    redis.release(this);
  }

  /**
   * One connection's subscription, and its heartbeat channel. Writes (UNSUBSCRIBE from closing,
   * SUBSCRIBE from the reading thread) go one at a time.
   */
  private final class Session extends JedisPubSub {
    private final Connection connection;
    private volatile long heardAt = System.nanoTime();

    Session(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void onSubscribe(String channel, int count) {
      heardAt = System.nanoTime();
      if (!channel.equals(heartbeatChannel)) {
        subscribedNow();
      }
    }

    @Override
    public void onPSubscribe(String pattern, int count) {
      heardAt = System.nanoTime();
      subscribedNow();
      synchronized (this) {
        subscribe(heartbeatChannel);
      }
    }

    @Override
    public void onMessage(String channel, String message) {
      heardAt = System.nanoTime();
      if (!channel.equals(heartbeatChannel)) {
        deliver(channel, message);
      }
    }

    @Override
    public void onPMessage(String pattern, String channel, String message) {
      heardAt = System.nanoTime();
      deliver(channel, message);
    }

    synchronized void stop() {
      try {
        if (isSubscribed()) {
          if (pattern) {
            punsubscribe();
          }
          unsubscribe();
        }
      } catch (RuntimeException e) {
        cut();
      }
    }

    /** Closes the socket under the subscribing thread, which then fails and starts over. */
    void cut() {
      try {
        connection.forceDisconnect();
      } catch (IOException | RuntimeException e) {
        // closed already
      }
    }
  }
}
