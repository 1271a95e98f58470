package byoc.mms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import software.amazon.ai.mms.servingsdk.Context;
import software.amazon.ai.mms.servingsdk.ModelServerEndpoint;
import software.amazon.ai.mms.servingsdk.annotations.Endpoint;
import software.amazon.ai.mms.servingsdk.annotations.helpers.EndpointTypes;
import software.amazon.ai.mms.servingsdk.http.Request;
import software.amazon.ai.mms.servingsdk.http.Response;

/** GET /execution-parameters for batch transform, as byoc serve computed it from its settings. */
@Endpoint(
        urlPattern = "execution-parameters",
        endpointType = EndpointTypes.INFERENCE,
        description = "MaxConcurrentTransforms, BatchStrategy and MaxPayloadInMB for batch transform")
public class ExecutionParameters extends ModelServerEndpoint {

    @Override
    public void doGet(Request req, Response rsp, Context ctx) throws IOException {
        rsp.setStatus(200);
        rsp.setContentType("application/json");
        rsp.getOutputStream()
                .write(
                        Settings.from(ctx.getConfig())
                                .executionParameters
                                .getBytes(StandardCharsets.UTF_8));
    }
}
