namespace PhaseTune.ModelFiles;

/// <summary>One tensor's header entry; Begin/End are byte offsets into the data section.</summary>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End);
