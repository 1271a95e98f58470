package byoc.mms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What byoc serve says about its serving processes, from the JSON file it rewrites (atomically)
 * whenever that changes: {"unhealthy": reason or null, "single_model": bool,
 * "load_failures": {model name: message}}.
 */
final class ServingState {

    private final JsonObject state;
    private final String unreadable;

    private ServingState(JsonObject state, String unreadable) {
        this.state = state;
        this.unreadable = unreadable;
    }

    static ServingState read(Path file) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return new ServingState(JsonParser.parseString(text).getAsJsonObject(), null);
        } catch (IOException | RuntimeException e) {
            return new ServingState(new JsonObject(), "byoc serve's state is unreadable: " + e);
        }
    }

    /** Why nothing can be served now, or null. */
    String unhealthy() {
        if (unreadable != null) {
            return unreadable;
        }
        return string(state.get("unhealthy"));
    }

    boolean singleModel() {
        JsonElement value = state.get("single_model");
        return value != null && value.isJsonPrimitive() && value.getAsBoolean();
    }

    /** Why the model of that name failed to load, or null. */
    String loadFailure(String model) {
        JsonElement failures = state.get("load_failures");
        if (failures == null || !failures.isJsonObject()) {
            return null;
        }
        return string(failures.getAsJsonObject().get(model));
    }

    private static String string(JsonElement value) {
        return value == null || value.isJsonNull() ? null : value.getAsString();
    }
}
