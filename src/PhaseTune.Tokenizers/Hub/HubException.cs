namespace PhaseTune.Hub;

/// <summary>A model that could not be had from the Hub or its cache, with what to do about it. An IOException, so
/// every command reports it as one line.</summary>
/// <param name="unreachable">the Hub could not be reached at all (no connection, or it kept failing)</param>
public sealed class HubException(string message, Exception? inner = null, bool unreachable = false) : IOException(message, inner)
{
    public bool Unreachable { get; } = unreachable;
}
