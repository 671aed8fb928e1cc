package org.collegenews.opensearchnode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.TransportService;

/**
 * Starts ONE OpenSearch node in this JVM and keeps it running until SIGTERM/SIGINT
 * (clean close, exit 0), end of standard input when {@code --exit-on-stdin-eof} is
 * given (the parent died), or SIGKILL.
 *
 * <pre>
 * java -cp 'opensearch-node.jar:lib/*' org.collegenews.opensearchnode.NodeMain \
 *     [--settings node.properties] [-Ekey=value ...] [--plugins netty4,analysis-common,painless]
 *     [--exit-on-stdin-eof]
 * </pre>
 *
 * Required settings: path.home (config/ and, by default, data/ and logs/ go under it).
 * Defaults that the settings may override: network.host=127.0.0.1, transport.type and
 * http.type netty4, bootstrap.memory_lock=false, disk watermarks off.
 * Once the node is started it prints one line on stdout:
 * {@code OPENSEARCH-NODE STARTED name=<node.name> http=<host:port> transport=<host:port> pid=<pid>}.
 */
public final class NodeMain {
    public static final String STARTED_MARKER = "OPENSEARCH-NODE STARTED";

    private static final Map<String, String> KNOWN_PLUGINS = new LinkedHashMap<>();
    static {
        KNOWN_PLUGINS.put("netty4", "org.opensearch.transport.Netty4Plugin");
        KNOWN_PLUGINS.put("analysis-common", "org.opensearch.analysis.common.CommonAnalysisPlugin");
        KNOWN_PLUGINS.put("painless", "org.opensearch.painless.PainlessPlugin");
    }
    private static final String DEFAULT_PLUGINS = "netty4,analysis-common,painless";

    private static volatile Node node;
    private static volatile PrintStream stderr = System.err;
    private static final CountDownLatch stopped = new CountDownLatch(1);
    private static final AtomicBoolean closing = new AtomicBoolean();

    private NodeMain() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            stderr.println("OPENSEARCH-NODE FAILED: " + t);
            t.printStackTrace(stderr);
            stderr.flush();
            closeNode();
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Settings.Builder user = Settings.builder();
        String plugins = DEFAULT_PLUGINS;
        boolean exitOnStdinEof = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("-E")) {
                String kv = a.length() > 2 ? a.substring(2) : args[++i];
                int eq = kv.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("expected -Ekey=value, got " + a);
                user.put(kv.substring(0, eq), kv.substring(eq + 1));
            } else if (a.equals("--settings")) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(Paths.get(args[++i]), StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                for (String k : p.stringPropertyNames()) user.put(k, p.getProperty(k));
            } else if (a.equals("--plugins")) {
                plugins = args[++i];
            } else if (a.equals("--exit-on-stdin-eof")) {
                exitOnStdinEof = true;
            } else {
                throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        Settings userSettings = user.build();
        String home = userSettings.get("path.home");
        if (home == null) throw new IllegalArgumentException("path.home is required (-Epath.home=DIR)");

        Settings settings = Settings.builder()
            .put("network.host", "127.0.0.1")
            .put("transport.type", "netty4")
            .put("http.type", "netty4")
            .put("bootstrap.memory_lock", false)
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put(userSettings)
            .build();

        Path configDir = Paths.get(home).toAbsolutePath().resolve("config");
        Files.createDirectories(configDir);
        try (InputStream in = NodeMain.class.getResourceAsStream("log4j2.properties")) {
            Files.copy(in, configDir.resolve("log4j2.properties"), StandardCopyOption.REPLACE_EXISTING);
        }

        String nodeName = settings.get("node.name", "node");
        // LogConfigurator sends System.out/err to loggers: keep the real ones.
        final PrintStream stdout = System.out;
        stderr = System.err;
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), configDir, () -> nodeName);
        Files.createDirectories(env.logsFile());
        LogConfigurator.configure(env);
        Logger log = LogManager.getLogger(NodeMain.class);

        List<Class<? extends Plugin>> pluginClasses = new ArrayList<>();
        for (String name : plugins.split(",")) {
            name = name.trim();
            if (name.isEmpty()) continue;
            String cls = KNOWN_PLUGINS.getOrDefault(name, name);
            pluginClasses.add(Class.forName(cls).asSubclass(Plugin.class));
        }
        log.info("starting node [{}] with classpath plugins {}", nodeName, pluginClasses);

        installSignalHandlers();
        Runtime.getRuntime().addShutdownHook(new Thread(NodeMain::closeNode, "opensearch-node-shutdown"));

        node = new LauncherNode(env, pluginClasses);
        node.start();

        String http = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().toString();
        String transport = node.injector().getInstance(TransportService.class).boundAddress().publishAddress().toString();
        String line = STARTED_MARKER + " name=" + nodeName + " http=" + http + " transport=" + transport
            + " pid=" + ProcessHandle.current().pid();
        log.info(line);
        stdout.println(line);
        stdout.flush();

        if (exitOnStdinEof) {
            Thread watchdog = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // the parent writes nothing; anything read is ignored
                    }
                } catch (IOException e) {
                    // treat like EOF
                }
                LogManager.getLogger(NodeMain.class).warn("standard input closed (parent gone): shutting down");
                shutdownAndExit(0);
            }, "opensearch-node-stdin-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        stopped.await();
    }

    private static void installSignalHandlers() {
        for (String sig : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> shutdownAndExit(0));
            } catch (IllegalArgumentException e) {
                // signal not available: the shutdown hook still closes the node
            }
        }
    }

    /** Close the node on a fresh thread, then exit; halt if closing hangs. */
    private static void shutdownAndExit(int code) {
        Thread t = new Thread(() -> {
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().halt(code == 0 ? 2 : code);
            }, "opensearch-node-halt-timer");
            killer.setDaemon(true);
            killer.start();
            closeNode();
            System.exit(code);
        }, "opensearch-node-stop");
        t.start();
    }

    private static void closeNode() {
        if (!closing.compareAndSet(false, true)) return;
        Node n = node;
        try {
            if (n != null) {
                LogManager.getLogger(NodeMain.class).info("stopping node");
                n.close();
                if (!n.awaitClose(20, TimeUnit.SECONDS)) {
                    stderr.println("opensearch-node: node did not close within 20s");
                }
                LogManager.getLogger(NodeMain.class).info("node stopped");
            }
        } catch (Throwable e) {
            stderr.println("opensearch-node: error while closing: " + e);
        } finally {
            stopped.countDown();
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            Configurator.shutdown(ctx);
        }
    }
}
