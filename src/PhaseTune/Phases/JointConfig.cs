namespace PhaseTune.Phases;

/// <summary>Phases 1 and 2 at once: L = L_DAE + L_CL per step ("sum", the paper's eq. 10) or one batch of each in
/// turn ("alternate", as the released code does).</summary>
public sealed record JointConfig
{
    public string Mode { get; init; } = "sum";
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
}
