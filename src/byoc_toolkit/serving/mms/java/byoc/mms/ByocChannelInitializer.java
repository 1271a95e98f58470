package byoc.mms;

import com.amazonaws.ml.mms.ServerInitializer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * multi-model-server's pipeline (http codec, aggregator, its request handler), with byoc's
 * strict codec in place of the http codec, an idle-connection timeout, and one-line JSON errors.
 */
final class ByocChannelInitializer extends ChannelInitializer<Channel> {

    private final ServerInitializer mms;
    private final Settings settings;

    ByocChannelInitializer(ServerInitializer mms, Settings settings) {
        this.mms = mms;
        this.settings = settings;
    }

    @Override
    protected void initChannel(Channel channel) {
        mms.initChannel(channel);
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.replace("http", "http", new StrictServerCodec());
        pipeline.addBefore("http", "idle", new IdleStateHandler(0, 0, settings.idleTimeoutSeconds));
        Exchange exchange = new Exchange(settings);
        pipeline.addAfter("http", "byoc-errors", exchange.errorBodies());
        pipeline.addBefore("handler", "byoc-guard", exchange.requestGuard());
    }
}
