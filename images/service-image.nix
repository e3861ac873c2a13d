# The image of one of our services: three layers, from the most to the least stable:
#   1. the JRE (JDK 25 headless) and CA certificates,
#   2. the service's third-party jars (changes only when a pom changes),
#   3. our own jars and the start script (changes with every commit).
# Runs as uid/gid 65532 on a read-only root file system; the Deployment mounts an emptyDir at /tmp.
{
  pkgs,
  n2c,
  cluster,
}:
# name: the service's name; package: its runnable package; jre, libs: its layers; spec: its row of
# nixos/platform/services.nix.
name:
{
  package,
  jre,
  libs,
  spec,
}:
let
  uid = 65532;
  etc = pkgs.runCommand "openclaw-${name}-etc" { } ''
    mkdir -p $out/etc $out/tmp
    echo 'root:x:0:0:root:/root:/sbin/nologin' > $out/etc/passwd
    echo 'app:x:${toString uid}:${toString uid}:app:/tmp:/sbin/nologin' >> $out/etc/passwd
    echo 'root:x:0:' > $out/etc/group
    echo 'app:x:${toString uid}:' >> $out/etc/group
  '';
  jreLayer = n2c.buildLayer {
    deps = [
      jre
      pkgs.cacert
      # The start script (makeWrapper) runs on bash.
      pkgs.bash
    ];
  };
  libLayer = n2c.buildLayer {
    deps = [ libs ];
    layers = [ jreLayer ];
  };
in
n2c.buildImage {
  name = "${cluster.registry}/${name}";
  tag = cluster.imageTag;
  copyToRoot = [ etc ];
  layers = [
    jreLayer
    libLayer
  ];
  perms = [
    {
      path = etc;
      regex = "/tmp";
      mode = "1777";
    }
  ];
  config = {
    User = "${toString uid}:${toString uid}";
    WorkingDir = "/tmp";
    Entrypoint = [ "${package}/bin/openclaw-${name}" ];
    Env = [
      "SSL_CERT_FILE=${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt"
      "JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=/tmp"
    ];
    ExposedPorts = builtins.listToAttrs (
      map (port: {
        name = "${toString port}/tcp";
        value = { };
      }) (builtins.attrValues spec.ports)
    );
    Labels = {
      "org.opencontainers.image.title" = name;
      "org.opencontainers.image.source" = cluster.sourceUrl;
    };
  };
}
