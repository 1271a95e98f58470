package byoc.mms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * One HTTP connection's request/response exchange: refuses what multi-model-server cannot
 * route, closes the connection when idle between requests, and gives every error the
 * front end makes itself the one-line body {@code {"error": "..."}} that byoc's worker gives.
 */
final class Exchange {

    private static final Pattern URL_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");

    private final Settings settings;
    /** A request was received and its response is not written yet. */
    private boolean busy;
    /** The model named by the POST /models request in progress, else null. */
    private String registering;

    Exchange(Settings settings) {
        this.settings = settings;
    }

    ChannelHandler requestGuard() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest) {
                    FullHttpRequest request = (FullHttpRequest) msg;
                    busy = true;
                    JsonObject registration = registration(request);
                    String refusal =
                            registration == null ? refusal(request) : refusal(registration);
                    if (refusal != null) {
                        request.release();
                        ctx.writeAndFlush(Json.error(HttpResponseStatus.BAD_REQUEST, refusal))
                                .addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                    registering = registration == null ? null : string(registration, "model_name");
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof IdleStateEvent) {
                    if (!busy) {
                        ctx.close();
                    }
                    return;
                }
                ctx.fireUserEventTriggered(event);
            }
        };
    }

    ChannelHandler errorBodies() {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                Object out = msg;
                if (msg instanceof FullHttpResponse) {
                    FullHttpResponse response = (FullHttpResponse) msg;
                    if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                        busy = false;
                    }
                    if (response.status().code() >= 400) {
                        out = oneLine(response);
                    }
                    if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                        registering = null;
                    }
                }
                ctx.write(out, promise);
            }
        };
    }

    private static String refusal(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            return "invalid HTTP request: " + cause.getMessage();
        }
        if (!request.uri().startsWith("/")) {
            return "request target " + Json.quote(request.uri()) + " is not a path";
        }
        return null;
    }

    /** The JSON body of a POST /models request (SageMaker's LoadModel), else null. */
    private static JsonObject registration(FullHttpRequest request) {
        if (request.decoderResult().isFailure()
                || !HttpMethod.POST.equals(request.method())
                || !"/models".equals(new QueryStringDecoder(request.uri()).path())) {
            return null;
        }
        try {
            JsonElement body =
                    JsonParser.parseString(request.content().toString(StandardCharsets.UTF_8));
            return body.isJsonObject() ? body.getAsJsonObject() : null;
        } catch (RuntimeException e) { // NOPMD - not JSON: multi-model-server answers it
            return null;
        }
    }

    /** Why multi-model-server must not register this model: it could not be routed. */
    private String refusal(JsonObject registration) {
        String name = string(registration, "model_name");
        if (name != null && !settings.modelName.matcher(name).matches()) {
            return "model name " + Json.quote(name) + " " + settings.modelNameRule;
        }
        String url = string(registration, "url");
        if (url != null && URL_SCHEME.matcher(url).lookingAt()) {
            return "model url " + Json.quote(url) + " is not a path (multi-model-server "
                    + "would download it)";
        }
        return null;
    }

    private static String string(JsonObject object, String key) {
        JsonElement value = object.get(key);
        return value == null || !value.isJsonPrimitive() ? null : value.getAsString();
    }

    private Object oneLine(FullHttpResponse response) {
        String message = mmsErrorMessage(response);
        if (message == null && response.content().isReadable()) {
            return response; // the worker's own body, already one line
        }
        if (registering != null) {
            String why = ServingState.read(settings.stateFile).loadFailure(registering);
            if (why != null) {
                message = why;
            }
        }
        if (message == null) {
            message = defaultMessage(response.status());
        }
        FullHttpResponse replaced = Json.error(response.status(), message);
        replaced.headers()
                .set(response.headers())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, replaced.content().readableBytes());
        response.release();
        return replaced;
    }

    private String defaultMessage(HttpResponseStatus status) {
        if (status.code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            return "request body larger than "
                    + settings.maxRequestBytes
                    + " bytes (twice SAGEMAKER_MAX_PAYLOAD_IN_MB)";
        }
        return status.reasonPhrase();
    }

    /** The message of multi-model-server's ErrorResponse JSON ({code, type, message}). */
    private static String mmsErrorMessage(FullHttpResponse response) {
        if (!response.content().isReadable()) {
            return null;
        }
        try {
            JsonObject body =
                    JsonParser.parseString(response.content().toString(StandardCharsets.UTF_8))
                            .getAsJsonObject();
            if (body.size() == 3
                    && body.has("code")
                    && body.has("type")
                    && body.has("message")) {
                return body.get("message").getAsString();
            }
        } catch (RuntimeException e) { // NOPMD - not multi-model-server's error body
            return null;
        }
        return null;
    }

    static final class Json {
        private Json() {}

        static FullHttpResponse error(HttpResponseStatus status, String message) {
            JsonObject body = new JsonObject();
            body.addProperty("error", message);
            return response(status, body.toString());
        }

        static FullHttpResponse response(HttpResponseStatus status, String json) {
            FullHttpResponse response =
                    new DefaultFullHttpResponse(
                            HttpVersion.HTTP_1_1,
                            status,
                            Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(response, response.content().readableBytes());
            if (status.code() >= 400) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            return response;
        }

        static String quote(String value) {
            return new com.google.gson.JsonPrimitive(value).toString();
        }
    }
}
