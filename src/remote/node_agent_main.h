// `berthd node-agent ...`: the node agent's command line (docs/cluster.md
// §1). berthd_main dispatches here when its first argument is
// "node-agent"; `argv[0]` is then "node-agent".
#pragma once

namespace berth::remote {

int NodeAgentMain(int argc, char** argv);

}  // namespace berth::remote
