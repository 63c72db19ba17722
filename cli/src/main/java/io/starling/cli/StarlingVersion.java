package io.starling.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version recorded in the jar's manifest. */
final class StarlingVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Starling.class.getPackage().getImplementationVersion();
        return new String[] {"starling " + (version != null ? version : "(development build)")};
    }
}
