using Xunit;

// torch's default generator is process-global: tests that seed it and train must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
