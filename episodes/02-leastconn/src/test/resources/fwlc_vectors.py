import sys
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import FWLC32, Prng, xorshift32
S = int(sys.argv[1])
def run(servers, script):
    m = FWLC32(servers, Prng(S))
    out=[]; held=[]
    for op in script:
        kind=op[0]
        if kind=='seq':
            for _ in range(op[1]):
                x=m.pick(); out.append(x); m.release(x)
        elif kind=='hold':
            for _ in range(op[1]):
                x=m.pick(); out.append(x); held.append(x)
        elif kind=='releaseAll':
            for x in (reversed(held) if op[1]=='rev' else list(held)): m.release(x)
            held.clear()
        elif kind=='down': m.down(op[1])
        elif kind=='up': m.up_(op[1])
        elif kind=='weight': m.set_weight(op[1], op[2])
    return out
script=[('seq',30),('hold',6),('releaseAll','fwd'),('down','s2'),('seq',10),('up','s2'),('seq',10),('weight','s1',3),('seq',20),('hold',9),('releaseAll','rev'),('seq',10)]
print(' '.join(run([('s1',2),('s2',1),('s3',3)], script)))
print(' '.join(run([('s%d'%i,1) for i in range(1,6)], [('seq',40)])))
