package byoc.mms;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * Netty's HttpServerCodec (which multi-model-server uses), except that a request carrying both
 * Content-Length and Transfer-Encoding is refused (RFC 9112 6.3) instead of having its
 * Content-Length dropped: such a request is how requests are smuggled past a proxy.
 */
final class StrictServerCodec
        extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

    static final String BOTH_LENGTHS =
            "a request must not carry both Content-Length and Transfer-Encoding";

    /** Methods of requests not answered yet: a response to HEAD has no body. */
    private final Queue<HttpMethod> methods = new ArrayDeque<>();

    StrictServerCodec() {
        init(new Decoder(), new Encoder());
    }

    private final class Decoder extends HttpRequestDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
                throws Exception {
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest) {
                    methods.add(((HttpRequest) out.get(i)).method());
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new IllegalArgumentException(BOTH_LENGTHS);
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(response);
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }
    }
}
