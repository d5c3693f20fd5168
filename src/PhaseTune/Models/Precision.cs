namespace PhaseTune.Models;

/// <summary>What the matrix products of a forward pass compute in; see <see cref="Autocast"/>.</summary>
public enum Precision
{
    /// <summary>float32 throughout.</summary>
    Fp32,
    /// <summary>bfloat16 matrix products on bfloat16 copies of the float32 weights; the rest float32.</summary>
    Bf16,
}
