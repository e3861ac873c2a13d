package cloud.openclaw.api.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.List;

/**
 * One route prefix of the api and its routes, declared as data so that the OpenAPI document can be
 * checked against exactly what is served.
 */
public interface ApiService extends HttpService {

  /** Where the service is mounted, such as {@code /me}. */
  String prefix();

  /** Its routes, paths relative to {@link #prefix()} in OpenAPI's {@code {param}} syntax. */
  List<Route> routes();

  @Override
  default void routing(HttpRules rules) {
    for (Route route : routes()) {
      rules.route(route.method(), route.path(), route.handler());
    }
  }

  /** A method, a path and what answers it. */
  record Route(Method method, String path, Handler handler) {
    public static Route get(String path, Handler handler) {
      return new Route(Method.GET, path, handler);
    }

    public static Route post(String path, Handler handler) {
      return new Route(Method.POST, path, handler);
    }

    public static Route put(String path, Handler handler) {
      return new Route(Method.PUT, path, handler);
    }
  }
}
