namespace PhaseTune.Training;

/// <summary>The order in which a phase visits its examples in an epoch, as batches of example indices.</summary>
public static class BatchOrder
{
    /// <summary>Shuffled index batches of an epoch; one batch may be smaller. Given lengths, HF Trainer's
    /// group_by_length: the shuffled order is cut into mega-batches of 50 batches and each is sorted by length, so a
    /// batch holds texts of similar length and carries little padding; the batches are then shuffled too.</summary>
    public static int[][] Shuffled(int count, int batchSize, Random rng, Func<int, int>? length = null)
    {
        var idx = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(idx);
        if (length is null) return idx.Chunk(batchSize).ToArray();
        var batches = idx.Chunk(50 * batchSize).SelectMany(mega => mega.OrderByDescending(length).Chunk(batchSize)).ToArray();
        rng.Shuffle(batches);
        return batches;
    }
}
