package byoc.mms;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import software.amazon.ai.mms.servingsdk.Context;
import software.amazon.ai.mms.servingsdk.Model;
import software.amazon.ai.mms.servingsdk.ModelServerEndpoint;
import software.amazon.ai.mms.servingsdk.Worker;
import software.amazon.ai.mms.servingsdk.annotations.Endpoint;
import software.amazon.ai.mms.servingsdk.annotations.helpers.EndpointTypes;
import software.amazon.ai.mms.servingsdk.http.Request;
import software.amazon.ai.mms.servingsdk.http.Response;

/**
 * GET /ping: 200 only while a request can be answered (multi-model-server's own /ping says
 * 200 as soon as its port is open, with "Unhealthy" in the body when no worker is up).
 */
@Endpoint(
        urlPattern = "ping",
        endpointType = EndpointTypes.INFERENCE,
        description = "200 while byoc's workers can answer, else 503 with the reason")
public class Ping extends ModelServerEndpoint {

    @Override
    public void doGet(Request req, Response rsp, Context ctx) throws IOException {
        Settings settings = Settings.from(ctx.getConfig());
        ServingState state = ServingState.read(settings.stateFile);
        String problem = state.unhealthy();
        if (problem == null && state.singleModel()) {
            problem = modelWithoutWorker(ctx);
        }
        rsp.setContentType("application/json");
        if (problem == null) {
            rsp.setStatus(200);
            rsp.getOutputStream().write("{\"status\": \"Healthy\"}".getBytes(StandardCharsets.UTF_8));
        } else {
            rsp.setStatus(HttpResponseStatus.SERVICE_UNAVAILABLE.code());
            rsp.getOutputStream()
                    .write(
                            Exchange.Json.error(HttpResponseStatus.SERVICE_UNAVAILABLE, problem)
                                    .content()
                                    .toString(StandardCharsets.UTF_8)
                                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String modelWithoutWorker(Context ctx) {
        for (Model model : ctx.getModels().values()) {
            boolean running = false;
            for (Worker worker : model.getModelWorkers()) {
                running |= worker.isRunning();
            }
            if (!running) {
                return "no worker of model " + model.getModelName() + " is connected";
            }
        }
        return null;
    }
}
