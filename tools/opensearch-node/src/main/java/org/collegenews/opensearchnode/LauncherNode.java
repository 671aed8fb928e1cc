package org.collegenews.opensearchnode;

import java.util.Collection;

import org.opensearch.env.Environment;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * An OpenSearch {@link Node} whose plugins are classes on the JVM's classpath
 * (transport-netty4, analysis-common, lang-painless from Maven Central) instead
 * of a plugins/ directory. Like the real distribution's Bootstrap node it runs no
 * security manager; unlike it, it runs no bootstrap checks (this is a test node).
 */
final class LauncherNode extends Node {
    LauncherNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(environment, plugins, true);
    }
}
