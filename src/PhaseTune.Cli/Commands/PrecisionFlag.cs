using System.CommandLine;

namespace PhaseTune.Cli.Commands;

/// <summary>`--precision` of the commands that run a saved model (embed, eval, predict) and of bench.</summary>
public static class PrecisionFlag
{
    public static Option<string> Create() => new("--precision")
    {
        DefaultValueFactory = _ => "fp32",
        Description = "fp32|bf16|auto (default fp32, HF's numbers): the matrix products' precision (auto: bf16 where the CPU has avx512_bf16 or amx_bf16)",
    };
}
