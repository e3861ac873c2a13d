# Our services as plain data: the Maven module, the main class, the config subtree and the ports
# (the defaults of modules/<module>/src/main/resources/<module>/application.yaml): http (the routes,
# behind the ingress where there is one) and internal (/observe/metrics and /observe/health with
# each check: the probes and Prometheus, never the ingress). The image builds
# (images/) and the Kubernetes objects (nixos/platform/default.nix) both read this one table, and
# DeploymentManifestsTest (modules/launcher) checks it against the services' own YAML.
{
  api = {
    module = "api";
    mainClass = "cloud.openclaw.api.Main";
    configPrefix = "api";
    envPrefix = "OPENCLAW_API";
    ports.http = 8080;
    ports.internal = 9080;
    replicas = 2;
    memory = "512Mi";
  };
  token-proxy = {
    module = "token-proxy";
    mainClass = "cloud.openclaw.proxy.Main";
    configPrefix = "proxy";
    envPrefix = "OPENCLAW_PROXY";
    ports.http = 8081;
    # The internal API (tokens, periods, usage) beside metrics and health: the operator and the
    # billing worker call it (service token).
    ports.internal = 8091;
    replicas = 2;
    memory = "512Mi";
  };
  operator = {
    module = "operator";
    mainClass = "cloud.openclaw.operator.Main";
    configPrefix = "operator";
    envPrefix = "OPENCLAW_OPERATOR";
    ports.http = 8082;
    ports.internal = 9082;
    # One consumer of the job queue is enough; a second would only wait on the same stream.
    replicas = 1;
    memory = "512Mi";
  };
  billing-worker = {
    module = "billing-worker";
    mainClass = "cloud.openclaw.billing.Main";
    configPrefix = "billing";
    envPrefix = "OPENCLAW_BILLING";
    ports.http = 8083;
    ports.internal = 9083;
    replicas = 1;
    memory = "384Mi";
  };
  onboarding-agent = {
    module = "onboarding-agent";
    mainClass = "cloud.openclaw.onboarding.Main";
    configPrefix = "onboarding";
    envPrefix = "OPENCLAW_ONBOARDING";
    ports.http = 8084;
    ports.internal = 9084;
    replicas = 1;
    memory = "384Mi";
  };
}
