package byoc.mms;

import com.amazonaws.ml.mms.util.ConfigManager;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.regex.Pattern;

/** What byoc serve wrote into config.properties for the front end (keys byoc_*). */
final class Settings {

    final Path stateFile;
    final int idleTimeoutSeconds;
    final long maxRequestBytes;
    final String executionParameters;
    /** Model names multi-model-server can route, and the rule's wording (multi_model.py). */
    final Pattern modelName;
    final String modelNameRule;

    private Settings(Properties p) {
        stateFile = Paths.get(p.getProperty("byoc_state_file", "/nonexistent"));
        idleTimeoutSeconds = Integer.parseInt(p.getProperty("byoc_idle_timeout_seconds", "75"));
        maxRequestBytes = Long.parseLong(p.getProperty("max_request_size", "6553500"));
        executionParameters = p.getProperty("byoc_execution_parameters", "{}");
        modelName = Pattern.compile(p.getProperty("byoc_model_name_pattern", ".+"));
        modelNameRule = p.getProperty("byoc_model_name_rule", "");
    }

    static Settings from(ConfigManager config) {
        return new Settings(config.getConfiguration());
    }

    static Settings from(Properties properties) {
        return new Settings(properties);
    }
}
