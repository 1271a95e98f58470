package byoc.mms;

import com.amazonaws.ml.mms.ModelServer;
import com.amazonaws.ml.mms.ServerInitializer;
import com.amazonaws.ml.mms.servingsdk.impl.PluginsManager;
import com.amazonaws.ml.mms.util.ConfigManager;
import com.amazonaws.ml.mms.util.Connector;
import com.amazonaws.ml.mms.util.ConnectorType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.Slf4JLoggerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;

/**
 * multi-model-server's ModelServer with byoc's handlers on every HTTP connection (see
 * ByocChannelInitializer). byoc serve runs this main class when the plugin jar is built.
 */
public final class ByocModelServer extends ModelServer {

    private final ConfigManager config;

    private ByocModelServer(ConfigManager config) {
        super(config);
        this.config = config;
    }

    public static void main(String[] args) {
        try {
            CommandLine cmd =
                    new DefaultParser()
                            .parse(ConfigManager.Arguments.getOptions(), args, null, false);
            ConfigManager.init(new ConfigManager.Arguments(cmd));
            PluginsManager.getInstance().initialize();
            InternalLoggerFactory.setDefaultFactory(Slf4JLoggerFactory.INSTANCE);
            // Not startAndWait(): it schedules MMS's metrics collector (a Python process that
            // byoc turns off) and prints a line outside the log format.
            new ByocModelServer(ConfigManager.getInstance()).start().get(0).sync();
        } catch (Throwable t) {
            t.printStackTrace(); // NOPMD
        } finally {
            System.exit(1); // NOPMD
        }
    }

    /** As ModelServer.initializeServer in 1.1.11, with byoc's channel initializer. */
    @Override
    public ChannelFuture initializeServer(
            Connector connector,
            EventLoopGroup serverGroup,
            EventLoopGroup workerGroup,
            ConnectorType type)
            throws InterruptedException, IOException, GeneralSecurityException {
        SslContext ssl = connector.isSsl() ? config.getSslContext() : null;
        ServerBootstrap bootstrap =
                new ServerBootstrap()
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .channel(connector.getServerChannel())
                        .childOption(ChannelOption.SO_LINGER, 0)
                        .childOption(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childOption(
                                ChannelOption.RCVBUF_ALLOCATOR,
                                new FixedRecvByteBufAllocator(MAX_RCVBUF_SIZE))
                        .group(serverGroup, workerGroup)
                        .childHandler(
                                new ByocChannelInitializer(
                                        new ServerInitializer(ssl, type), Settings.from(config)));
        ChannelFuture bound;
        try {
            bound = bootstrap.bind(connector.getSocketAddress()).sync();
        } catch (Exception e) { // NOPMD - bind declares none, but Netty rethrows IOExceptions
            if (e instanceof IOException) {
                throw new IOException("Failed to bind to address: " + connector, e);
            }
            throw e;
        }
        return bound.channel().closeFuture();
    }
}
