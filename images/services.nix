# The Java services, built with Maven from a fixed-output Maven repository.
#
#   mavenRepo  every artifact Maven needs (plugins, dependencies, test dependencies, the test runners'
#              JUnit providers), fetched once with network access; its content is pinned by `mvnHash`.
#   libs.<s>   the third-party jars on service <s>'s runtime classpath. Built from the pom files and the
#              repository only, so its store path (and its image layer) stays the same while only our
#              code changes.
#   apps.<s>   our own jars of service <s> (its module and the platform module), built from the sources.
#   <s>        a runnable package: bin/openclaw-<s> = java -cp app/*:lib/* <main class>. The api's
#              serves the built site (`site`, images/default.nix's `web`) from the store: its wrapper
#              sets OPENCLAW_API_WEB_DIR (api.web.dir) unless the environment already does.
#   tests      `mvn verify` (unit tests and ITs) against a PostgreSQL and a Redis started in the build.
#
# mvnHash is a PLACEHOLDER: nobody could fetch from Maven Central under Nix here. To set it, run
#   nix build .#maven-repo
# once with network access; Nix fails with "hash mismatch ... got: sha256-..."; put that value below.
# Do the same after every change of a dependency or plugin version in a pom.xml.
{
  lib,
  stdenv,
  maven,
  jdk25,
  jdk25_headless,
  makeWrapper,
  postgresql_17,
  redis,
  # The built site (web/dist) the api serves; null: the api without it.
  site ? null,
}:
let
  services = import ../nixos/platform/services.nix;
  version = "0.1.0";
  # The reactor's version (pom.xml): the file names of our jars.
  projectVersion = "0.1.0-SNAPSHOT";
  mvnHash = lib.fakeHash; # PLACEHOLDER, see above
  jdk = jdk25;
  jre = jdk25_headless;

  root = ../.;
  # What Maven reads: the poms, the modules' sources and resources, the migrations.
  source = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.unions [
      ../pom.xml
      ../modules
      ../db
    ];
  };
  # Only the pom files: enough to resolve the dependency graph, so `libs` does not change with the code.
  poms = lib.fileset.toSource {
    inherit root;
    fileset = lib.fileset.fileFilter (file: file.name == "pom.xml") ../.;
  };

  mvnFlags = lib.concatStringsSep " " [
    "-B"
    "--no-transfer-progress"
    "-Dspotless.check.skip=true"
    "-Dspotless.apply.skip=true"
  ];
  serviceModules = lib.concatMapStringsSep "," (s: "modules/${s.module}") (builtins.attrValues services);

  # A PostgreSQL and a Redis on loopback for the tests, as .ci/run gives them on a machine.
  withDataStores = ''
    export PGDATA=$TMPDIR/pg
    initdb -U postgres --auth=trust >/dev/null
    pg_ctl -w -o "-k $TMPDIR -c listen_addresses=127.0.0.1 -p 5432" -l $TMPDIR/pg.log start
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir $TMPDIR
    export OPENCLAW_TEST_DATABASE_URL='jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres'
    export OPENCLAW_TEST_REDIS_URL=redis://127.0.0.1:6379
  '';

  # Copies the read-only repository to a writable place (Maven writes tracking files into it).
  useRepo = ''
    cp -dR --no-preserve=mode ${mavenRepo} "$TMPDIR/m2"
    export MAVEN_OPTS="-Dmaven.repo.local=$TMPDIR/m2"
  '';

  mavenRepo = stdenv.mkDerivation {
    name = "openclaw-cloud-maven-repo";
    src = source;
    nativeBuildInputs = [
      maven
      jdk
      postgresql_17
      redis
    ];
    JAVA_HOME = jdk.home;
    OPENCLAW_SKIP_LOCAL_IT = "true";
    # Everything `verify` needs and the dependency plugin's copy goal used by `libs` and `apps`.
    # The tests really run (surefire and failsafe fetch their JUnit provider only when they do);
    # their outcome does not matter here, `tests` is where they count.
    buildPhase = ''
      runHook preBuild
      ${withDataStores}
      mvn ${mvnFlags} -Dmaven.repo.local=$out -Dmaven.test.failure.ignore=true verify \
        dependency:copy-dependencies -DincludeScope=runtime
      runHook postBuild
    '';
    # Keep only what is content-addressed on Maven Central; drop files with timestamps.
    installPhase = ''
      find $out -type f \( -name '*.lastUpdated' -o -name 'resolver-status.properties' \
        -o -name '_remote.repositories' -o -name 'maven-metadata-*.xml' \) -delete
    '';
    dontFixup = true;
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = mvnHash;
  };

  libsOf =
    name: s:
    stdenv.mkDerivation {
      name = "openclaw-${name}-libs-${version}";
      src = poms;
      nativeBuildInputs = [
        maven
        jdk
      ];
      JAVA_HOME = jdk.home;
      buildPhase = ''
        runHook preBuild
        ${useRepo}
        # Empty jars of our modules (no sources here) let the reactor resolve the graph.
        mvn ${mvnFlags} -o -pl modules/${s.module} -am -Dmaven.main.skip=true -DskipTests \
          package dependency:copy-dependencies \
          -DincludeScope=runtime -DexcludeGroupIds=cloud.openclaw -Dmdep.prependGroupId=true
        runHook postBuild
      '';
      installPhase = ''
        mkdir -p $out/share/openclaw/${name}/lib
        cp modules/${s.module}/target/dependency/*.jar $out/share/openclaw/${name}/lib/
      '';
      dontFixup = true;
    };

  # One reactor build for all services; each service's app jars are then picked from it.
  reactor = stdenv.mkDerivation {
    pname = "openclaw-cloud-jars";
    inherit version;
    src = source;
    nativeBuildInputs = [
      maven
      jdk
    ];
    JAVA_HOME = jdk.home;
    buildPhase = ''
      runHook preBuild
      ${useRepo}
      mvn ${mvnFlags} -o -DskipTests -pl ${serviceModules} -am package \
        dependency:copy-dependencies -DincludeScope=runtime -DincludeGroupIds=cloud.openclaw \
        -DoutputDirectory=target/app-deps
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      ${lib.concatStrings (
        lib.mapAttrsToList (name: s: ''
          mkdir -p $out/${name}
          cp modules/${s.module}/target/${s.module}-${projectVersion}.jar $out/${name}/
          if [ -d modules/${s.module}/target/app-deps ]; then cp modules/${s.module}/target/app-deps/*.jar $out/${name}/; fi
        '') services
      )}
      runHook postInstall
    '';
    dontFixup = true;
  };

  appOf =
    name: s:
    stdenv.mkDerivation {
      name = "openclaw-${name}-app-${version}";
      dontUnpack = true;
      installPhase = ''
        mkdir -p $out/share/openclaw/${name}/app
        cp ${reactor}/${name}/*.jar $out/share/openclaw/${name}/app/
      '';
    };

  libs = lib.mapAttrs libsOf services;
  apps = lib.mapAttrs appOf services;

  serviceOf =
    name: s:
    stdenv.mkDerivation {
      pname = "openclaw-${name}";
      inherit version;
      dontUnpack = true;
      nativeBuildInputs = [ makeWrapper ];
      installPhase = ''
        mkdir -p $out/bin
        makeWrapper ${jre}/bin/java $out/bin/openclaw-${name} \
          --add-flags "-XX:+UseContainerSupport -XX:MaxRAMPercentage=75" \
          --add-flags "-cp ${apps.${name}}/share/openclaw/${name}/app/*:${libs.${name}}/share/openclaw/${name}/lib/*" \
          --add-flags ${s.mainClass}${
            lib.optionalString (name == "api" && site != null) " --set-default OPENCLAW_API_WEB_DIR ${site}"
          }
      '';
      passthru = {
        inherit jre s;
        site = if name == "api" then site else null;
        app = apps.${name};
        lib = libs.${name};
      };
      meta = {
        description = "openclaw-cloud ${name}";
        mainProgram = "openclaw-${name}";
        platforms = lib.platforms.linux;
      };
    };

  # `mvn verify` in the sandbox: a PostgreSQL and a Redis on loopback, as .ci/run does on a machine.
  # Tests that install OpenClaw from npm need network: LocalRuntimeIT and the *E2E tests of the real
  # gateway are skipped by OPENCLAW_SKIP_LOCAL_IT. The browser tests (WebSmokeE2E, WebPageE2E) skip
  # without /usr/bin/chromium (they fail only under CI=true, which the sandbox does not set).
  tests = stdenv.mkDerivation {
    pname = "openclaw-cloud-tests";
    inherit version;
    src = source;
    nativeBuildInputs = [
      maven
      jdk
      postgresql_17
      redis
    ];
    JAVA_HOME = jdk.home;
    OPENCLAW_SKIP_LOCAL_IT = "true";
    buildPhase = ''
      runHook preBuild
      ${useRepo}
      ${withDataStores}
      mvn ${mvnFlags} -o verify
      runHook postBuild
    '';
    installPhase = ''
      mkdir -p $out
      find . -path '*/target/*-reports/*.txt' -exec cp --parents {} $out/ \;
    '';
    dontFixup = true;
  };
  packages = lib.mapAttrs serviceOf services;
in
packages
// {
  inherit
    mavenRepo
    libs
    apps
    tests
    jre
    ;
  # `nix build .#services`: every service's runnable package in one tree.
  all = stdenv.mkDerivation {
    pname = "openclaw-cloud-services";
    inherit version;
    dontUnpack = true;
    installPhase = ''
      mkdir -p $out/bin
      ${lib.concatMapStrings (name: ''
        ln -s ${packages.${name}}/bin/openclaw-${name} $out/bin/
      '') (builtins.attrNames services)}
    '';
    passthru = { inherit mavenRepo tests; };
  };
}
