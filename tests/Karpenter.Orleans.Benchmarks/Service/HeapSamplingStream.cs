namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>A write-only sink that counts what is written and records the largest managed heap seen between writes.</summary>
public sealed class HeapSamplingStream : Stream
{
    public long MaxHeap { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Position;

    public override long Position { get; set; }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Position += buffer.Length;
        MaxHeap = Math.Max(MaxHeap, GC.GetTotalMemory(forceFullCollection: false));
    }
}
