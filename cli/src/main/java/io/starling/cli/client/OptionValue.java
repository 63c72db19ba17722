package io.starling.cli.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads the value of an option the way mosquitto_pub and mosquitto_sub do: the next argument,
 * whatever it looks like ({@code -m -x} publishes "-x"), and a repeated option keeps its last
 * value. With no argument left it records mosquitto's "-m argument given but no message
 * specified." for the command to report, instead of picocli's error and usage dump.
 */
final class OptionValue implements IParameterPreprocessor {
    @Override
    public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
        OptionSpec option = (OptionSpec) argSpec;
        if (args.isEmpty()) {
            if (commandSpec.userObject() instanceof ClientCommand command) {
                command.missingValue(option.shortestName() + " argument given but no " + option.paramLabel() + " specified.");
            }
            return true;
        }
        String value = args.pop();
        if (List.class.isAssignableFrom(option.type())) {
            List<String> values = option.getValue();
            List<String> more = values == null ? new ArrayList<>() : new ArrayList<>(values);
            more.add(value);
            option.setValue(more);
        } else {
            option.setValue(value);
        }
        return true;
    }
}
