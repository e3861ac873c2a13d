package cloud.openclaw.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder for failure tests: point a client at {@link #port()} instead of the
 * server, then take the "network" {@link #down()} (every open connection is cut, new ones are
 * closed as soon as they are accepted) and {@link #up()} again.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 5432)) {
 *   // connect to 127.0.0.1:proxy.port() ...
 *   proxy.down();
 *   proxy.up();
 * }
 * }</pre>
 *
 * <p>{@link #hang()} is the quieter failure: the open connections stay open but nothing passes any
 * more, as when the server's host is gone without a word (a failover to another host).
 */
public final class TcpProxy implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private volatile boolean up = true;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress target, ServerSocket server) {
    this.target = target;
    this.server = server;
  }

  /** Listens on a free port of 127.0.0.1 and forwards what it accepts to the target. */
  public static TcpProxy start(String targetHost, int targetPort) {
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      TcpProxy proxy = new TcpProxy(new InetSocketAddress(targetHost, targetPort), server);
      Thread.ofVirtual().name("tcp-proxy-" + server.getLocalPort()).start(proxy::accept);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen on a loopback port", e);
    }
  }

  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  public int port() {
    return server.getLocalPort();
  }

  public boolean isUp() {
    return up;
  }

  /** Open forwarded connections. */
  public int connections() {
    return links.size();
  }

  /** Cuts every open connection and refuses new ones until {@link #up()}. */
  public void down() {
    List<Link> cut;
    synchronized (lock) {
      up = false;
      cut = new ArrayList<>(links);
    }
    cut.forEach(Link::cut);
  }

  /**
   * Every open connection goes silent for good: it is not closed, but whatever either side sends is
   * dropped. New connections are forwarded as usual.
   */
  public void hang() {
    links.forEach(link -> link.hung = true);
  }

  /** Forwards new connections again. */
  public void up() {
    synchronized (lock) {
      up = true;
    }
  }

  /** Stops listening and cuts every connection. */
  @Override
  public void close() {
    closed = true;
    down();
    closeQuietly(server);
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      Link link = new Link(client);
      boolean admitted;
      synchronized (lock) {
        admitted = up && !closed;
        if (admitted) {
          links.add(link);
        }
      }
      if (admitted) {
        Thread.ofVirtual().start(link::open);
      } else {
        closeQuietly(client);
      }
    }
  }

  /** One forwarded connection: the accepted socket, the socket to the target, two pumps. */
  private final class Link {
    private final Socket client;
    private Socket upstream;
    private boolean closed;
    private volatile boolean hung;

    Link(Socket client) {
      this.client = client;
    }

    void open() {
      Socket socket = new Socket();
      try {
        socket.connect(target, CONNECT_TIMEOUT_MS);
      } catch (IOException e) {
        closeQuietly(socket);
        close();
        return;
      }
      synchronized (this) {
        if (closed) {
          closeQuietly(socket);
          return;
        }
        upstream = socket;
      }
      Thread.ofVirtual().start(() -> pump(client, socket));
      Thread.ofVirtual().start(() -> pump(socket, client));
    }

    // Copies until either side ends or fails, then closes both (no half-close).
    private void pump(Socket from, Socket to) {
      byte[] buffer = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (hung) {
            continue;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // cut, or the other side went away
      } finally {
        close();
      }
    }

    // Resets both sides (RST), as a broken network would, instead of an orderly close.
    void cut() {
      Socket other;
      synchronized (this) {
        other = upstream;
      }
      resetOnClose(client);
      if (other != null) {
        resetOnClose(other);
      }
      close();
    }

    void close() {
      Socket other;
      synchronized (this) {
        closed = true;
        other = upstream;
      }
      closeQuietly(client);
      if (other != null) {
        closeQuietly(other);
      }
      links.remove(this);
    }
  }

  private static void resetOnClose(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // closed already
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
